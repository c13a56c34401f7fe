import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every `graphql(...)` document in src/, generated from the exported server contract.
// CODEGEN_OUT lets scripts/check-codegen.mjs regenerate into a temporary folder and compare.
const out = process.env.CODEGEN_OUT ?? 'src/gql/';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*', '!src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        scalars: { DateTime: 'string', ID: 'string' },
        defaultScalarType: 'unknown',
      },
    },
  },
  silent: true,
};

export default config;
