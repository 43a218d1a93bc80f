using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SkyServe.Providers.Aws.Query;

namespace SkyServe.Providers.Aws.Sqs;

/// <summary>
/// One SQS queue through the Query protocol (ReceiveMessage with long polling, DeleteMessage), signed for
/// service <c>sqs</c> in the queue's region. Message bodies are checked against their MD5 digest.
/// </summary>
public sealed class SqsQueue(AwsQueryClient client, Uri queueUrl, Uri endpoint, string region, TimeSpan requestTimeout)
{
    public const string Service = "sqs";
    public const string Version = "2012-11-05";

    public Uri QueueUrl { get; } = queueUrl;
    public string Region { get; } = region;

    public async Task<IReadOnlyList<SqsMessage>> ReceiveAsync(int waitSeconds, CancellationToken ct)
    {
        var request = new QueryParameters("ReceiveMessage", Version)
            .Add("QueueUrl", QueueUrl.ToString())
            .Add("MaxNumberOfMessages", 10)
            .Add("WaitTimeSeconds", waitSeconds);
        var document = await client.CallAsync(endpoint, Region, Service, request, requestTimeout + TimeSpan.FromSeconds(waitSeconds), ct);
        var messages = new List<SqsMessage>();
        foreach (var message in document.Descendants().Where(e => e.Name.LocalName == "Message"))
        {
            string? Field(string name) => message.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var body = Field("Body") ?? "";
            var md5 = Field("MD5OfBody");
            if (md5 is not null && !string.Equals(md5, Md5Hex(body), StringComparison.OrdinalIgnoreCase))
                throw new AwsApiException("MessageCorrupted", $"message {Field("MessageId")} does not match its MD5OfBody", System.Net.HttpStatusCode.OK, null);
            messages.Add(new SqsMessage(Field("MessageId") ?? "", Field("ReceiptHandle") ?? "", body));
        }
        return messages;
    }

    public Task DeleteAsync(string receiptHandle, CancellationToken ct) =>
        client.CallAsync(endpoint, Region, Service, new QueryParameters("DeleteMessage", Version)
            .Add("QueueUrl", QueueUrl.ToString())
            .Add("ReceiptHandle", receiptHandle), requestTimeout, ct);

    public static string Md5Hex(string body) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));

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
}
