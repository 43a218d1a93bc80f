using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Forwards as YARP's default transformer does, except that a 502/503 from the replica is not copied to
/// the client while another attempt remains: the caller retries elsewhere instead.
/// </summary>
public sealed class ReplayAwareTransformer(bool mayRetry) : HttpTransformer
{
    public bool RejectedStatus { get; private set; }
    public int? ReplicaStatus { get; private set; }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext context, HttpResponseMessage? response, CancellationToken ct)
    {
        ReplicaStatus = response is null ? null : (int)response.StatusCode;
        if (mayRetry && response?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable)
        {
            RejectedStatus = true;
            return false;
        }
        return await base.TransformResponseAsync(context, response, ct);
    }
}
