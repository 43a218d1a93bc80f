using System.Xml.Linq;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>SQS's Query-protocol XML answers (API version 2012-11-05).</summary>
public static class SqsResponses
{
    public static readonly XNamespace Ns = "http://queue.amazonaws.com/doc/2012-11-05/";

    public static XElement Receive(IEnumerable<(string MessageId, string ReceiptHandle, string Body, string Md5)> messages, string requestId) =>
        new(Ns + "ReceiveMessageResponse",
            new XElement(Ns + "ReceiveMessageResult", messages.Select(m => new XElement(Ns + "Message",
                new XElement(Ns + "MessageId", m.MessageId),
                new XElement(Ns + "ReceiptHandle", m.ReceiptHandle),
                new XElement(Ns + "MD5OfBody", m.Md5),
                new XElement(Ns + "Body", m.Body)))),
            Metadata(requestId));

    public static XElement Delete(string requestId) => new(Ns + "DeleteMessageResponse", Metadata(requestId));

    public static XElement Error(string code, string message, string requestId, string type) =>
        new(Ns + "ErrorResponse",
            new XElement(Ns + "Error", new XElement(Ns + "Type", type), new XElement(Ns + "Code", code), new XElement(Ns + "Message", message), new XElement(Ns + "Detail")),
            new XElement(Ns + "RequestId", requestId));

    private static XElement Metadata(string requestId) => new(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId));
}
