/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      __typename\n      ... on VerifyEmailSuccess {\n        message\n        outcome\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SendVerificationEmailDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      __typename\n      ... on UpdateProfileSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation ChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      __typename\n      ... on ChangeEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.ChangeEmailDocument,
    "\n  mutation DeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input) {\n      __typename\n      ... on DeleteAccountSuccess {\n        deleted\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.DeleteAccountDocument,
    "\n  query EmailVerificationMode {\n    emailVerificationMode\n  }\n": typeof types.EmailVerificationModeDocument,
    "\n  mutation RequestMagicLink($input: RequestMagicLinkInput!) {\n    requestMagicLink(input: $input) {\n      __typename\n      ... on RequestMagicLinkSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RequestMagicLinkDocument,
    "\n  mutation SignInWithMagicLink($input: SignInWithMagicLinkInput!) {\n    signInWithMagicLink(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SignInWithMagicLinkDocument,
    "\n  query SocialProviders {\n    socialProviders {\n      id\n      name\n    }\n  }\n": typeof types.SocialProvidersDocument,
    "\n  mutation SocialSignIn($input: SocialSignInInput!) {\n    socialSignIn(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SocialSignInDocument,
    "\n  mutation LinkSocialAccount($input: SocialSignInInput!) {\n    linkSocialAccount(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.LinkSocialAccountDocument,
    "\n  query MyAccounts {\n    myAccounts {\n      id\n      providerId\n      providerName\n      accountId\n      createdAt\n    }\n  }\n": typeof types.MyAccountsDocument,
    "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id) {\n      __typename\n      ... on UnlinkAccountSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.UnlinkAccountDocument,
    "\n  fragment UserFields on User {\n    id\n    firstName\n    lastName\n    email\n    emailVerified\n    createdAt\n    twoFactorEnabled\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment AuthErrorFields on AuthError {\n    code\n    message\n    field\n    retryAfterSeconds\n  }\n": typeof types.AuthErrorFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  query PasswordPolicy {\n    passwordPolicy {\n      minLength\n      maxLength\n    }\n  }\n": typeof types.PasswordPolicyDocument,
    "\n  query MySessions {\n    mySessions {\n      id\n      createdAt\n      expiresAt\n      ipAddress\n      userAgent\n      current\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      __typename\n      ... on ResetPasswordSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      __typename\n      ... on ChangePasswordSuccess {\n        message\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RevokeOtherSessionsDocument,
    "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    deviceType\n    backedUp\n    transports\n  }\n": typeof types.PasskeyFieldsFragmentDoc,
    "\n  query MyPasskeys {\n    myPasskeys {\n      ...PasskeyFields\n    }\n  }\n": typeof types.MyPasskeysDocument,
    "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.PasskeyRegistrationOptionsDocument,
    "\n  mutation RegisterPasskey($input: RegisterPasskeyInput!) {\n    registerPasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RegisterPasskeyDocument,
    "\n  mutation RenamePasskey($input: RenamePasskeyInput!) {\n    renamePasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RenamePasskeyDocument,
    "\n  mutation DeletePasskey($id: ID!) {\n    deletePasskey(id: $id) {\n      __typename\n      ... on DeletePasskeySuccess {\n        id\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.DeletePasskeyDocument,
    "\n  mutation PasskeySignInOptions {\n    passkeySignInOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.PasskeySignInOptionsDocument,
    "\n  mutation SignInWithPasskey($input: SignInWithPasskeyInput!) {\n    signInWithPasskey(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.SignInWithPasskeyDocument,
    "\n  mutation VerifyTwoFactor($input: VerifyTwoFactorInput!) {\n    verifyTwoFactor(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.VerifyTwoFactorDocument,
    "\n  mutation EnableTwoFactor($input: EnableTwoFactorInput!) {\n    enableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorSetup {\n        totpUri\n        secret\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.EnableTwoFactorDocument,
    "\n  mutation ConfirmTwoFactor($input: ConfirmTwoFactorInput!) {\n    confirmTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.ConfirmTwoFactorDocument,
    "\n  mutation DisableTwoFactor($input: DisableTwoFactorInput!) {\n    disableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.DisableTwoFactorDocument,
    "\n  mutation RegenerateBackupCodes($input: RegenerateBackupCodesInput!) {\n    regenerateBackupCodes(input: $input) {\n      __typename\n      ... on BackupCodes {\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n": typeof types.RegenerateBackupCodesDocument,
    "\n  query MySecurityEvents($limit: Int) {\n    mySecurityEvents(limit: $limit) {\n      id\n      event\n      createdAt\n      code\n      method\n      ipAddress\n      userAgent\n      revokedSessions\n    }\n  }\n": typeof types.MySecurityEventsDocument,
};
const documents: Documents = {
    "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      __typename\n      ... on VerifyEmailSuccess {\n        message\n        outcome\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SendVerificationEmailDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      __typename\n      ... on UpdateProfileSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation ChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      __typename\n      ... on ChangeEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.ChangeEmailDocument,
    "\n  mutation DeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input) {\n      __typename\n      ... on DeleteAccountSuccess {\n        deleted\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.DeleteAccountDocument,
    "\n  query EmailVerificationMode {\n    emailVerificationMode\n  }\n": types.EmailVerificationModeDocument,
    "\n  mutation RequestMagicLink($input: RequestMagicLinkInput!) {\n    requestMagicLink(input: $input) {\n      __typename\n      ... on RequestMagicLinkSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RequestMagicLinkDocument,
    "\n  mutation SignInWithMagicLink($input: SignInWithMagicLinkInput!) {\n    signInWithMagicLink(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SignInWithMagicLinkDocument,
    "\n  query SocialProviders {\n    socialProviders {\n      id\n      name\n    }\n  }\n": types.SocialProvidersDocument,
    "\n  mutation SocialSignIn($input: SocialSignInInput!) {\n    socialSignIn(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SocialSignInDocument,
    "\n  mutation LinkSocialAccount($input: SocialSignInInput!) {\n    linkSocialAccount(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.LinkSocialAccountDocument,
    "\n  query MyAccounts {\n    myAccounts {\n      id\n      providerId\n      providerName\n      accountId\n      createdAt\n    }\n  }\n": types.MyAccountsDocument,
    "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id) {\n      __typename\n      ... on UnlinkAccountSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.UnlinkAccountDocument,
    "\n  fragment UserFields on User {\n    id\n    firstName\n    lastName\n    email\n    emailVerified\n    createdAt\n    twoFactorEnabled\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment AuthErrorFields on AuthError {\n    code\n    message\n    field\n    retryAfterSeconds\n  }\n": types.AuthErrorFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  query PasswordPolicy {\n    passwordPolicy {\n      minLength\n      maxLength\n    }\n  }\n": types.PasswordPolicyDocument,
    "\n  query MySessions {\n    mySessions {\n      id\n      createdAt\n      expiresAt\n      ipAddress\n      userAgent\n      current\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      __typename\n      ... on ResetPasswordSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.ResetPasswordDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      __typename\n      ... on ChangePasswordSuccess {\n        message\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RevokeOtherSessionsDocument,
    "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    deviceType\n    backedUp\n    transports\n  }\n": types.PasskeyFieldsFragmentDoc,
    "\n  query MyPasskeys {\n    myPasskeys {\n      ...PasskeyFields\n    }\n  }\n": types.MyPasskeysDocument,
    "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.PasskeyRegistrationOptionsDocument,
    "\n  mutation RegisterPasskey($input: RegisterPasskeyInput!) {\n    registerPasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RegisterPasskeyDocument,
    "\n  mutation RenamePasskey($input: RenamePasskeyInput!) {\n    renamePasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RenamePasskeyDocument,
    "\n  mutation DeletePasskey($id: ID!) {\n    deletePasskey(id: $id) {\n      __typename\n      ... on DeletePasskeySuccess {\n        id\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.DeletePasskeyDocument,
    "\n  mutation PasskeySignInOptions {\n    passkeySignInOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.PasskeySignInOptionsDocument,
    "\n  mutation SignInWithPasskey($input: SignInWithPasskeyInput!) {\n    signInWithPasskey(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.SignInWithPasskeyDocument,
    "\n  mutation VerifyTwoFactor($input: VerifyTwoFactorInput!) {\n    verifyTwoFactor(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.VerifyTwoFactorDocument,
    "\n  mutation EnableTwoFactor($input: EnableTwoFactorInput!) {\n    enableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorSetup {\n        totpUri\n        secret\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.EnableTwoFactorDocument,
    "\n  mutation ConfirmTwoFactor($input: ConfirmTwoFactorInput!) {\n    confirmTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.ConfirmTwoFactorDocument,
    "\n  mutation DisableTwoFactor($input: DisableTwoFactorInput!) {\n    disableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.DisableTwoFactorDocument,
    "\n  mutation RegenerateBackupCodes($input: RegenerateBackupCodesInput!) {\n    regenerateBackupCodes(input: $input) {\n      __typename\n      ... on BackupCodes {\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n": types.RegenerateBackupCodesDocument,
    "\n  query MySecurityEvents($limit: Int) {\n    mySecurityEvents(limit: $limit) {\n      id\n      event\n      createdAt\n      code\n      method\n      ipAddress\n      userAgent\n      revokedSessions\n    }\n  }\n": types.MySecurityEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      __typename\n      ... on VerifyEmailSuccess {\n        message\n        outcome\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      __typename\n      ... on VerifyEmailSuccess {\n        message\n        outcome\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      __typename\n      ... on UpdateProfileSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      __typename\n      ... on UpdateProfileSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      __typename\n      ... on ChangeEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      __typename\n      ... on ChangeEmailSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input) {\n      __typename\n      ... on DeleteAccountSuccess {\n        deleted\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteAccount($input: DeleteAccountInput!) {\n    deleteAccount(input: $input) {\n      __typename\n      ... on DeleteAccountSuccess {\n        deleted\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EmailVerificationMode {\n    emailVerificationMode\n  }\n"): (typeof documents)["\n  query EmailVerificationMode {\n    emailVerificationMode\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestMagicLink($input: RequestMagicLinkInput!) {\n    requestMagicLink(input: $input) {\n      __typename\n      ... on RequestMagicLinkSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestMagicLink($input: RequestMagicLinkInput!) {\n    requestMagicLink(input: $input) {\n      __typename\n      ... on RequestMagicLinkSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignInWithMagicLink($input: SignInWithMagicLinkInput!) {\n    signInWithMagicLink(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignInWithMagicLink($input: SignInWithMagicLinkInput!) {\n    signInWithMagicLink(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SocialProviders {\n    socialProviders {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query SocialProviders {\n    socialProviders {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SocialSignIn($input: SocialSignInInput!) {\n    socialSignIn(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SocialSignIn($input: SocialSignInInput!) {\n    socialSignIn(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LinkSocialAccount($input: SocialSignInInput!) {\n    linkSocialAccount(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation LinkSocialAccount($input: SocialSignInInput!) {\n    linkSocialAccount(input: $input) {\n      __typename\n      ... on SocialSignInRedirect {\n        url\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyAccounts {\n    myAccounts {\n      id\n      providerId\n      providerName\n      accountId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query MyAccounts {\n    myAccounts {\n      id\n      providerId\n      providerName\n      accountId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id) {\n      __typename\n      ... on UnlinkAccountSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id) {\n      __typename\n      ... on UnlinkAccountSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    firstName\n    lastName\n    email\n    emailVerified\n    createdAt\n    twoFactorEnabled\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    firstName\n    lastName\n    email\n    emailVerified\n    createdAt\n    twoFactorEnabled\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthErrorFields on AuthError {\n    code\n    message\n    field\n    retryAfterSeconds\n  }\n"): (typeof documents)["\n  fragment AuthErrorFields on AuthError {\n    code\n    message\n    field\n    retryAfterSeconds\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PasswordPolicy {\n    passwordPolicy {\n      minLength\n      maxLength\n    }\n  }\n"): (typeof documents)["\n  query PasswordPolicy {\n    passwordPolicy {\n      minLength\n      maxLength\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions {\n    mySessions {\n      id\n      createdAt\n      expiresAt\n      ipAddress\n      userAgent\n      current\n    }\n  }\n"): (typeof documents)["\n  query MySessions {\n    mySessions {\n      id\n      createdAt\n      expiresAt\n      ipAddress\n      userAgent\n      current\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      __typename\n      ... on ResetPasswordSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      __typename\n      ... on ResetPasswordSuccess {\n        message\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      __typename\n      ... on ChangePasswordSuccess {\n        message\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      __typename\n      ... on ChangePasswordSuccess {\n        message\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeOtherSessions {\n    revokeOtherSessions {\n      __typename\n      ... on RevokeSessionsSuccess {\n        revokedSessions\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    deviceType\n    backedUp\n    transports\n  }\n"): (typeof documents)["\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    deviceType\n    backedUp\n    transports\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyPasskeys {\n    myPasskeys {\n      ...PasskeyFields\n    }\n  }\n"): (typeof documents)["\n  query MyPasskeys {\n    myPasskeys {\n      ...PasskeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPasskey($input: RegisterPasskeyInput!) {\n    registerPasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPasskey($input: RegisterPasskeyInput!) {\n    registerPasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenamePasskey($input: RenamePasskeyInput!) {\n    renamePasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RenamePasskey($input: RenamePasskeyInput!) {\n    renamePasskey(input: $input) {\n      __typename\n      ... on PasskeySuccess {\n        passkey {\n          ...PasskeyFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePasskey($id: ID!) {\n    deletePasskey(id: $id) {\n      __typename\n      ... on DeletePasskeySuccess {\n        id\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeletePasskey($id: ID!) {\n    deletePasskey(id: $id) {\n      __typename\n      ... on DeletePasskeySuccess {\n        id\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeySignInOptions {\n    passkeySignInOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation PasskeySignInOptions {\n    passkeySignInOptions {\n      __typename\n      ... on PasskeyOptions {\n        options\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignInWithPasskey($input: SignInWithPasskeyInput!) {\n    signInWithPasskey(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignInWithPasskey($input: SignInWithPasskeyInput!) {\n    signInWithPasskey(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ... on TwoFactorRequired {\n        methods\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyTwoFactor($input: VerifyTwoFactorInput!) {\n    verifyTwoFactor(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyTwoFactor($input: VerifyTwoFactorInput!) {\n    verifyTwoFactor(input: $input) {\n      __typename\n      ... on AuthSuccess {\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableTwoFactor($input: EnableTwoFactorInput!) {\n    enableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorSetup {\n        totpUri\n        secret\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation EnableTwoFactor($input: EnableTwoFactorInput!) {\n    enableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorSetup {\n        totpUri\n        secret\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmTwoFactor($input: ConfirmTwoFactorInput!) {\n    confirmTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmTwoFactor($input: ConfirmTwoFactorInput!) {\n    confirmTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableTwoFactor($input: DisableTwoFactorInput!) {\n    disableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation DisableTwoFactor($input: DisableTwoFactorInput!) {\n    disableTwoFactor(input: $input) {\n      __typename\n      ... on TwoFactorStatus {\n        message\n        user {\n          ...UserFields\n        }\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateBackupCodes($input: RegenerateBackupCodesInput!) {\n    regenerateBackupCodes(input: $input) {\n      __typename\n      ... on BackupCodes {\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation RegenerateBackupCodes($input: RegenerateBackupCodesInput!) {\n    regenerateBackupCodes(input: $input) {\n      __typename\n      ... on BackupCodes {\n        backupCodes\n      }\n      ...AuthErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySecurityEvents($limit: Int) {\n    mySecurityEvents(limit: $limit) {\n      id\n      event\n      createdAt\n      code\n      method\n      ipAddress\n      userAgent\n      revokedSessions\n    }\n  }\n"): (typeof documents)["\n  query MySecurityEvents($limit: Int) {\n    mySecurityEvents(limit: $limit) {\n      id\n      event\n      createdAt\n      code\n      method\n      ipAddress\n      userAgent\n      revokedSessions\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;