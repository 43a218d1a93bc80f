using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace SkyServe.Providers.Aws.Sqs;

/// <summary>
/// One SQS queue through AWSSDK.SQS (AWS JSON 1.0 protocol): ReceiveMessage with long polling, DeleteMessage.
/// Requests go to the queue URL's host (or the override), signed for the queue's region; the SDK checks each
/// message body against its MD5 digest.
/// </summary>
public sealed class SqsQueue : IDisposable
{
    private readonly AmazonSQSClient client;

    public SqsQueue(Uri queueUrl, Uri endpoint, string region, AwsProviderOptions options, AWSCredentials credentials, HttpClientFactory? http)
    {
        QueueUrl = queueUrl;
        Region = region;
        var config = new AmazonSQSConfig
        {
            ServiceURL = endpoint.GetLeftPart(UriPartial.Authority) + "/",
            AuthenticationRegion = region,
        };
        // A long poll holds the request open for the wait: the timeout counts from its end.
        AwsSdk.Configure(config, options, options.RequestTimeout + TimeSpan.FromSeconds(options.InterruptionQueueWaitSeconds), http);
        client = new SqsClient(credentials, config, options.RetryMaxDelay);
    }

    public Uri QueueUrl { get; }
    public string Region { get; }

    public async Task<IReadOnlyList<Message>> ReceiveAsync(int waitSeconds, CancellationToken ct)
    {
        var response = await client.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = QueueUrl.ToString(),
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = waitSeconds,
        }, ct);
        return response.Messages ?? [];
    }

    public Task DeleteAsync(string receiptHandle, CancellationToken ct) =>
        client.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = QueueUrl.ToString(), ReceiptHandle = receiptHandle }, ct);

    /// <summary>us-east-1 from https://sqs.us-east-1.amazonaws.com/... or https://us-east-1.queue.amazonaws.com/...; null otherwise.</summary>
    public static string? RegionOf(Uri queueUrl)
    {
        var labels = queueUrl.Host.Split('.');
        if (labels.Length >= 3 && labels[0] == "sqs")
            return labels[1];
        if (labels.Length >= 3 && labels[1] == "queue")
            return labels[0];
        return null;
    }

    public static string Describe(Uri queueUrl) => string.Create(CultureInfo.InvariantCulture, $"{queueUrl.Host}{queueUrl.AbsolutePath}");

    public void Dispose() => client.Dispose();
}
