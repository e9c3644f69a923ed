// Lint: the recommended TypeScript rules, plus a ban on `any` so Istio objects stay typed.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["bin/**", "node_modules/**", "charts/**", "out/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
            eqeqeq: ["error", "always"],
            // `interface XArgs extends XOptions {}`: a component's args are the options an Egress nests,
            // under the component's own name (the schema other languages read names types by interface).
            "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
        },
    },
);
