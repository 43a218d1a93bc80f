namespace SkyServe.Providers.Aws.Sqs;

public sealed record SqsMessage(string MessageId, string ReceiptHandle, string Body);
