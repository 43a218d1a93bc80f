using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace SkyServe.Providers.Aws;

/// <summary>
/// AWSSDK.Core's default credential chain, looked up on first use rather than at start-up: environment
/// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the shared profile (AWS_PROFILE,
/// ~/.aws/credentials and ~/.aws/config, SSO and assume-role profiles included), web identity
/// (AWS_WEB_IDENTITY_TOKEN_FILE), the ECS container role, and the EC2 instance role (IMDS).
/// Refreshing expiring credentials is the chain's job. When the chain finds nothing, calls fail with
/// <see cref="CloudErrorKind.Unauthorized"/> and cloud code <c>NoCredentials</c>.
/// </summary>
public sealed class AwsDefaultCredentials : AWSCredentials
{
    public override ImmutableCredentials GetCredentials()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null).GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw NoCredentials(e);
        }
    }

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        try
        {
            var chain = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null);
            return await chain.GetCredentialsAsync();
        }
        catch (AmazonClientException e)
        {
            throw NoCredentials(e);
        }
    }

    private static CloudProviderException NoCredentials(Exception e) =>
        new(CloudErrorKind.Unauthorized, $"no AWS credentials: {e.Message}", e) { CloudCode = "NoCredentials" };
}
