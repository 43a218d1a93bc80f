using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// <c>s3://</c> (and, with Cloudflare's endpoint, <c>r2://</c>) through the AWS SDK: SigV4 and the machine's credential
/// chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, a profile, the instance role through IMDS). The
/// endpoint is AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's own (path-style addressing with an override, as
/// S3-compatible stores and emulators need).
/// </summary>
public sealed class S3Bucket : IBucket, IDisposable
{
    private readonly AmazonS3Client client;

    private S3Bucket(AmazonS3Client client, string store)
    {
        this.client = client;
        Store = store;
    }

    public string Store { get; }

    public static S3Bucket ForS3(Func<string, string?> environment) =>
        Create("s3", environment("AWS_ENDPOINT_URL_S3") ?? environment("AWS_ENDPOINT_URL"), environment);

    /// <summary>
    /// R2's endpoint as SkyPilot finds it: <c>https://ACCOUNT.r2.cloudflarestorage.com</c>, the account id from
    /// CLOUDFLARE_ACCOUNT_ID or <c>~/.cloudflare/accountid</c>; R2_ENDPOINT_URL overrides it (an emulator, a proxy).
    /// </summary>
    public static S3Bucket ForR2(Func<string, string?> environment, string home)
    {
        var endpoint = environment("R2_ENDPOINT_URL");
        if (endpoint is null)
        {
            var accountFile = Path.Combine(home, ".cloudflare", "accountid");
            var account = environment("CLOUDFLARE_ACCOUNT_ID") ?? (File.Exists(accountFile) ? File.ReadAllText(accountFile).Trim() : null);
            endpoint = account is { Length: > 0 }
                ? $"https://{account}.r2.cloudflarestorage.com"
                : throw new TaskFilesException("r2:// needs Cloudflare's account id: set CLOUDFLARE_ACCOUNT_ID or write it to ~/.cloudflare/accountid");
        }
        return Create("r2", endpoint, environment);
    }

    private static S3Bucket Create(string store, string? endpoint, Func<string, string?> environment)
    {
        var region = environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? (store == "r2" ? "auto" : "us-east-1");
        var config = new AmazonS3Config();
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        var key = environment("AWS_ACCESS_KEY_ID");
        var secret = environment("AWS_SECRET_ACCESS_KEY");
        var client = key is not null && secret is not null
            ? new AmazonS3Client(environment("AWS_SESSION_TOKEN") is { } session
                ? new SessionAWSCredentials(key, secret, session)
                : new BasicAWSCredentials(key, secret), config)
            : new AmazonS3Client(config); // the SDK's chain: profile, container, instance role
        return new S3Bucket(client, store);
    }

    public async IAsyncEnumerable<string> ListAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await client.ListObjectsV2Async(request, ct);
            }
            catch (AmazonServiceException e)
            {
                throw new TaskFilesException($"listing {Store}://{bucket}/{prefix} failed: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e);
            }
            foreach (var entry in page.S3Objects ?? [])
                yield return entry.Key;
            if (page.IsTruncated != true || page.NextContinuationToken is null)
                yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task DownloadAsync(string bucket, string key, string destination, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetObjectAsync(bucket, key, ct);
            await using var output = File.Create(destination);
            await response.ResponseStream.CopyToAsync(output, ct);
        }
        catch (AmazonServiceException e)
        {
            throw new TaskFilesException($"fetching {Store}://{bucket}/{key} failed: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e);
        }
    }

    public void Dispose() => client.Dispose();
}
