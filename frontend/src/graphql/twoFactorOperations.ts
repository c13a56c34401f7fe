import { graphql } from '../gql';

// Two-factor sign-in (TOTP + backup codes). The challenge of a pending sign-in travels in an HttpOnly cookie.

export const VerifyTwoFactorMutation = graphql(`
  mutation VerifyTwoFactor($input: VerifyTwoFactorInput!) {
    verifyTwoFactor(input: $input) {
      __typename
      ... on AuthSuccess {
        user {
          ...UserFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const EnableTwoFactorMutation = graphql(`
  mutation EnableTwoFactor($input: EnableTwoFactorInput!) {
    enableTwoFactor(input: $input) {
      __typename
      ... on TwoFactorSetup {
        totpUri
        secret
        backupCodes
      }
      ...AuthErrorFields
    }
  }
`);

export const ConfirmTwoFactorMutation = graphql(`
  mutation ConfirmTwoFactor($input: ConfirmTwoFactorInput!) {
    confirmTwoFactor(input: $input) {
      __typename
      ... on TwoFactorStatus {
        message
        user {
          ...UserFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const DisableTwoFactorMutation = graphql(`
  mutation DisableTwoFactor($input: DisableTwoFactorInput!) {
    disableTwoFactor(input: $input) {
      __typename
      ... on TwoFactorStatus {
        message
        user {
          ...UserFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const RegenerateBackupCodesMutation = graphql(`
  mutation RegenerateBackupCodes($input: RegenerateBackupCodesInput!) {
    regenerateBackupCodes(input: $input) {
      __typename
      ... on BackupCodes {
        backupCodes
      }
      ...AuthErrorFields
    }
  }
`);
