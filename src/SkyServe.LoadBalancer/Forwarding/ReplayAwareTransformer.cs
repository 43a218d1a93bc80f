using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Forwards as YARP's default transformer does (headers copied, this hop's X-Forwarded-* set), except that a 502/503
/// from the replica is never copied to the client (the caller retries elsewhere, or answers its own 503 once no
/// replica is left to try), and that an SSE answer is read through an <see cref="EventStreamGuard"/>, so that a
/// replica lost mid-stream ends it with an error event.
/// </summary>
public sealed class ReplayAwareTransformer : HttpTransformer
{
    private EventStreamGuardContent? guarded;

    public bool RejectedStatus { get; private set; }
    public int? ReplicaStatus { get; private set; }

    /// <summary>Why an SSE answer was cut short by its replica (and ended with the error event), if it was.</summary>
    public Exception? StreamCut => guarded?.Guard?.Cut;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        ForwardedHeaders.Set(httpContext, proxyRequest);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext context, HttpResponseMessage? response, CancellationToken ct)
    {
        ReplicaStatus = response is null ? null : (int)response.StatusCode;
        if (response?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable)
        {
            RejectedStatus = true;
            return false;
        }
        var copyBody = await base.TransformResponseAsync(context, response, ct); // headers are copied from the original content
        if (copyBody && response?.Content.Headers.ContentType?.MediaType == "text/event-stream")
            response.Content = guarded = new EventStreamGuardContent(response.Content);
        return copyBody;
    }
}
