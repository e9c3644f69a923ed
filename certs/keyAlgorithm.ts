import * as tls from "@pulumi/tls";
import { oneOf } from "../validation/common";

/**
 * Key algorithms a generated key can use (plain strings in component args):
 * - "ECDSA_P256": ECDSA on the NIST P-256 curve. Small, fast, accepted by Envoy. The default.
 * - "RSA_2048": RSA with a 2048-bit modulus, for peers that only accept RSA.
 * - "RSA_4096": RSA with a 4096-bit modulus, for policies that require longer RSA keys.
 */
export const KEY_ALGORITHMS = ["ECDSA_P256", "RSA_2048", "RSA_4096"] as const;

/** One of KEY_ALGORITHMS. */
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** The algorithm used when `keyAlgorithm` is not set. */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA_P256";

/** Schema for a `keyAlgorithm` arg: one of KEY_ALGORITHMS, with the default applied. */
export const keyAlgorithmSchema = oneOf(KEY_ALGORITHMS);

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
