import { graphql } from '../gql';

// Every operation the app sends. `npm run codegen` turns these into typed documents in src/gql/.

export const UserFieldsFragment = graphql(`
  fragment UserFields on User {
    id
    firstName
    lastName
    email
    emailVerified
    createdAt
    twoFactorEnabled
  }
`);

export const AuthErrorFieldsFragment = graphql(`
  fragment AuthErrorFields on AuthError {
    code
    message
    field
    retryAfterSeconds
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...UserFields
    }
  }
`);

export const PasswordPolicyQuery = graphql(`
  query PasswordPolicy {
    passwordPolicy {
      minLength
      maxLength
    }
  }
`);

export const MySessionsQuery = graphql(`
  query MySessions {
    mySessions {
      id
      createdAt
      expiresAt
      ipAddress
      userAgent
      current
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
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

export const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
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

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
      __typename
      ... on RequestPasswordResetSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      __typename
      ... on ResetPasswordSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      __typename
      ... on ChangePasswordSuccess {
        message
        revokedSessions
      }
      ...AuthErrorFields
    }
  }
`);

export const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id) {
      __typename
      ... on RevokeSessionsSuccess {
        revokedSessions
      }
      ...AuthErrorFields
    }
  }
`);

export const RevokeOtherSessionsMutation = graphql(`
  mutation RevokeOtherSessions {
    revokeOtherSessions {
      __typename
      ... on RevokeSessionsSuccess {
        revokedSessions
      }
      ...AuthErrorFields
    }
  }
`);
