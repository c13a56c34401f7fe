import { graphql } from '../gql';

// Sign-in links by mail. The link opens /magic-link?token=…, which signs in (or asks for the second factor).

export const RequestMagicLinkMutation = graphql(`
  mutation RequestMagicLink($input: RequestMagicLinkInput!) {
    requestMagicLink(input: $input) {
      __typename
      ... on RequestMagicLinkSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);

export const SignInWithMagicLinkMutation = graphql(`
  mutation SignInWithMagicLink($input: SignInWithMagicLinkInput!) {
    signInWithMagicLink(input: $input) {
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
