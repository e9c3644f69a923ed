import * as tls from "@pulumi/tls";
import { oneOfEnum } from "../validation/common";

/** The algorithm of a generated private key. */
export const KeyAlgorithm = {
    /** ECDSA on the NIST P-256 curve: small, fast, accepted by Envoy. */
    EcdsaP256: "ECDSA_P256",
    /** RSA with a 2048-bit modulus, for peers that only accept RSA. */
    Rsa2048: "RSA_2048",
    /** RSA with a 4096-bit modulus, for policies that require longer RSA keys. */
    Rsa4096: "RSA_4096",
} as const;

/** The algorithm of a generated private key. */
export type KeyAlgorithm = (typeof KeyAlgorithm)[keyof typeof KeyAlgorithm];

/** Every KeyAlgorithm value. */
export const KEY_ALGORITHMS = Object.values(KeyAlgorithm);

/** The algorithm used when `keyAlgorithm` is not set. */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA_P256";

/** Schema for a `keyAlgorithm` arg: one of KEY_ALGORITHMS, with the default applied. */
export const keyAlgorithmSchema = oneOfEnum(KeyAlgorithm);

/** The `tls.PrivateKey` args for a key algorithm. */
export function privateKeyArgs(algorithm: KeyAlgorithm): tls.PrivateKeyArgs {
    switch (algorithm) {
        case "ECDSA_P256":
            return { algorithm: "ECDSA", ecdsaCurve: "P256" };
        case "RSA_2048":
            return { algorithm: "RSA", rsaBits: 2048 };
        case "RSA_4096":
            return { algorithm: "RSA", rsaBits: 4096 };
    }
}
