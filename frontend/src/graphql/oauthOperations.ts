import { graphql } from '../gql';

// Social sign-in: the providers the server offers, starting a sign-in or a link, and the user's ways in.

export const SocialProvidersQuery = graphql(`
  query SocialProviders {
    socialProviders {
      id
      name
    }
  }
`);

export const SocialSignInMutation = graphql(`
  mutation SocialSignIn($input: SocialSignInInput!) {
    socialSignIn(input: $input) {
      __typename
      ... on SocialSignInRedirect {
        url
      }
      ...AuthErrorFields
    }
  }
`);

export const LinkSocialAccountMutation = graphql(`
  mutation LinkSocialAccount($input: SocialSignInInput!) {
    linkSocialAccount(input: $input) {
      __typename
      ... on SocialSignInRedirect {
        url
      }
      ...AuthErrorFields
    }
  }
`);

export const MyAccountsQuery = graphql(`
  query MyAccounts {
    myAccounts {
      id
      providerId
      providerName
      accountId
      createdAt
    }
  }
`);

export const UnlinkAccountMutation = graphql(`
  mutation UnlinkAccount($id: ID!) {
    unlinkAccount(id: $id) {
      __typename
      ... on UnlinkAccountSuccess {
        message
      }
      ...AuthErrorFields
    }
  }
`);
