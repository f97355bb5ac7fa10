/**
 * The AWS SDK classes the core uses, in one module that is loaded only when an AWS call is made
 * (`awsSdk()` in ./clients): the SDK costs more start-up time than the rest of the CLI together,
 * and most commands (check, open without AWS providers, history, --version) never need it. The
 * bundler builds this module as its own file, dist/aws-sdk.js (scripts/bundle.mjs).
 */
export { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
export type { AccessKeyMetadata } from '@aws-sdk/client-iam';
export { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
