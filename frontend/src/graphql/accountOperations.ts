import { graphql } from '../gql';

// Email verification and account management (issue 10). `npm run codegen` turns these into typed documents.

export const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($input: VerifyEmailInput!) {
    verifyEmail(input: $input) {
      __typename
      ... on VerifyEmailSuccess {
        message
        outcome
        user {
          ...UserFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const SendVerificationEmailMutation = graphql(`
  mutation SendVerificationEmail {
    sendVerificationEmail {
      __typename
      ... on SendVerificationEmailSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      __typename
      ... on UpdateProfileSuccess {
        user {
          ...UserFields
        }
      }
      ...AuthErrorFields
    }
  }
`);

export const ChangeEmailMutation = graphql(`
  mutation ChangeEmail($input: ChangeEmailInput!) {
    changeEmail(input: $input) {
      __typename
      ... on ChangeEmailSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const DeleteAccountMutation = graphql(`
  mutation DeleteAccount($input: DeleteAccountInput!) {
    deleteAccount(input: $input) {
      __typename
      ... on DeleteAccountSuccess {
        deleted
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const EmailVerificationModeQuery = graphql(`
  query EmailVerificationMode {
    emailVerificationMode
  }
`);
