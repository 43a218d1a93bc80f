using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using SkyServe.Providers.Aws.Signing;

namespace SkyServe.Providers.Aws.Query;

/// <summary>
/// Sends AWS Query protocol calls: an HTTP POST of form-encoded fields (<c>Action=...&amp;Version=...</c>),
/// signed with Signature V4, answered with XML. Error answers become <see cref="AwsApiException"/>; throttling,
/// server errors and broken connections are retried with backoff.
/// </summary>
public sealed class AwsQueryClient(HttpClient http, AWSCredentials credentials, TimeProvider time, AwsRetryPolicy retry, ILogger log)
{
    private static readonly MediaTypeHeaderValue FormContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");

    public async Task<XDocument> CallAsync(Uri endpoint, string region, string service, QueryParameters parameters, TimeSpan timeout, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(endpoint, region, service, parameters, timeout, ct);
            }
            catch (Exception e) when (attempt < retry.MaxAttempts && AwsRetryPolicy.IsRetryable(e) && !ct.IsCancellationRequested)
            {
                var delay = retry.DelayAfter(attempt);
                log.LogDebug("{Service} {Action} in {Region} failed ({Error}); attempt {Next} in {Delay} ms",
                    service, parameters.Action, region, e.Message, attempt + 1, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, ct); // real time: backoff must pass even when a test holds the clock still
            }
        }
    }

    private async Task<XDocument> SendOnceAsync(Uri endpoint, string region, string service, QueryParameters parameters, TimeSpan timeout, CancellationToken ct)
    {
        var immutable = await ResolveCredentialsAsync();
        var body = Encoding.UTF8.GetBytes(SigV4Encoding.FormBody(parameters.Fields));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = FormContentType;
        SigV4Signer.Sign(request, body, immutable, region, service, time.GetUtcNow());

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await http.SendAsync(request, cts.Token);
            text = await response.Content.ReadAsStringAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{service} {parameters.Action} in {region} got no answer within {timeout.TotalSeconds:0.#} s");
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return ParseXml(text) ?? throw new AwsApiException("MalformedResponse",
                    $"the answer to {parameters.Action} is not XML", response.StatusCode, null);
            throw ParseError(text, response.StatusCode);
        }
    }

    private async Task<ImmutableCredentials> ResolveCredentialsAsync()
    {
        try
        {
            return await credentials.GetCredentialsAsync();
        }
        catch (AmazonClientException e)
        {
            throw new CloudProviderException(CloudErrorKind.Unauthorized, $"no AWS credentials: {e.Message}", e) { CloudCode = "NoCredentials" };
        }
    }

    /// <summary>
    /// EC2: <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;/Errors&gt;&lt;RequestID/&gt;&lt;/Response&gt;</c>;
    /// SQS and most other Query services: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>.
    /// </summary>
    public static AwsApiException ParseError(string text, HttpStatusCode status)
    {
        var root = ParseXml(text)?.Root;
        var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        var code = Child(error, "Code");
        if (code is null)
            return new AwsApiException($"Http{(int)status}", $"HTTP {(int)status} {status}: {Truncate(text)}", status, null);
        var requestId = Child(root, "RequestID") ?? Child(root, "RequestId");
        return new AwsApiException(code, Child(error, "Message") ?? "", status, requestId);
    }

    private static XDocument? ParseXml(string text)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static string? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
