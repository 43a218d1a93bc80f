using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SQS;
using SkyServe.Providers.Aws.Ec2;

namespace SkyServe.Providers.Aws;

/// <summary>
/// How this provider sets up AWSSDK clients: the SDK's standard retry mode (exponential backoff with jitter,
/// retry quota, clock-skew correction) with <see cref="AwsProviderOptions.MaxAttempts"/> attempts in all, each
/// attempt bounded by a timeout; an optional HTTP handler (tests, proxies).
/// </summary>
internal static class AwsSdk
{
    public static void Configure(ClientConfig config, AwsProviderOptions options, TimeSpan timeout, HttpClientFactory? http)
    {
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = Math.Max(0, options.MaxAttempts - 1);
        config.Timeout = timeout;
        if (http is not null)
            config.HttpClientFactory = http;
    }
}

/// <summary>
/// The SDK's standard retry policy, except that EC2's capacity shortages are final although EC2 sends some
/// with HTTP 500: asking again at once only hammers a dry pool; the caller should try elsewhere.
/// </summary>
internal sealed class AwsRetryPolicy : StandardRetryPolicy
{
    public AwsRetryPolicy(IClientConfig config, TimeSpan maxBackoff) : base(config) =>
        MaxBackoffInMilliseconds = (int)Math.Clamp(maxBackoff.TotalMilliseconds, 1, int.MaxValue);

    public override bool RetryForException(IExecutionContext executionContext, Exception exception) =>
        !Ec2ErrorMapping.IsFinal(exception) && base.RetryForException(executionContext, exception);

    public override async Task<bool> RetryForExceptionAsync(IExecutionContext executionContext, Exception exception) =>
        !Ec2ErrorMapping.IsFinal(exception) && await base.RetryForExceptionAsync(executionContext, exception);
}

internal sealed class Ec2Client(AWSCredentials credentials, AmazonEC2Config config, TimeSpan maxBackoff) : AmazonEC2Client(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(new AwsRetryPolicy(Config, maxBackoff)));
    }
}

internal sealed class SqsClient(AWSCredentials credentials, AmazonSQSConfig config, TimeSpan maxBackoff) : AmazonSQSClient(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(new AwsRetryPolicy(Config, maxBackoff)));
    }
}

/// <summary>The SDK's HTTP clients over a given handler, which the caller owns.</summary>
internal sealed class HandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
