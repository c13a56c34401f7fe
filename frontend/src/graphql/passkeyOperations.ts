import { graphql } from '../gql';

// Passkeys: options from the server → the browser's WebAuthn call → its answer back to the server.

export const PasskeyFieldsFragment = graphql(`
  fragment PasskeyFields on Passkey {
    id
    name
    createdAt
    deviceType
    backedUp
    transports
  }
`);

export const MyPasskeysQuery = graphql(`
  query MyPasskeys {
    myPasskeys {
      ...PasskeyFields
    }
  }
`);

export const PasskeyRegistrationOptionsMutation = graphql(`
  mutation PasskeyRegistrationOptions {
    passkeyRegistrationOptions {
      __typename
      ... on PasskeyOptions {
        options
      }
      ...AuthErrorFields
    }
  }
`);

export const RegisterPasskeyMutation = graphql(`
  mutation RegisterPasskey($input: RegisterPasskeyInput!) {
    registerPasskey(input: $input) {
      __typename
      ... on PasskeySuccess {
        passkey {
          ...PasskeyFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const RenamePasskeyMutation = graphql(`
  mutation RenamePasskey($input: RenamePasskeyInput!) {
    renamePasskey(input: $input) {
      __typename
      ... on PasskeySuccess {
        passkey {
          ...PasskeyFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const DeletePasskeyMutation = graphql(`
  mutation DeletePasskey($id: ID!) {
    deletePasskey(id: $id) {
      __typename
      ... on DeletePasskeySuccess {
        id
      }
      ...AuthErrorFields
    }
  }
`);

export const PasskeySignInOptionsMutation = graphql(`
  mutation PasskeySignInOptions {
    passkeySignInOptions {
      __typename
      ... on PasskeyOptions {
        options
      }
      ...AuthErrorFields
    }
  }
`);

export const SignInWithPasskeyMutation = graphql(`
  mutation SignInWithPasskey($input: SignInWithPasskeyInput!) {
    signInWithPasskey(input: $input) {
      __typename
      ... on AuthSuccess {
        user {
          ...UserFields
        }
      }
      ... on TwoFactorRequired {
        methods
      }
      ...AuthErrorFields
    }
  }
`);
