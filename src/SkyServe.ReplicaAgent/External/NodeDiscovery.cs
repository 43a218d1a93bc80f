using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using SkyServe.Contracts;
using SkyServe.Contracts.Notices;
using SkyServe.Core.Hosting;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// The addresses of the replica's nodes, head first, for SkyPilot's SKYPILOT_NODE_IPS: a single node's is its own; the
/// agents of a multi-node replica (<c>--num-nodes</c>) ask the controller (GET api/v1/agent/nodes, with the replica's
/// token) until every node has one. The controller, not the provider, is asked because a cloud gives a machine its
/// address only once the machine is up — after the launch that would have had to carry it — and the controller learns
/// every node's from its machine list.
/// </summary>
public sealed class NodeDiscovery(AgentOptions agent, int numNodes, TimeProvider time, ILogger logger) : IDisposable
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    // The controller is reached directly (same network, or loopback for the local runtime), never through a proxy.
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = RequestTimeout };

    public int NumNodes => numNodes;

    /// <summary>Waits until every node has an address; <paramref name="note"/> tells the engine log what it waits for.</summary>
    public async Task<IReadOnlyList<string>> AddressesAsync(Action<string> note, CancellationToken ct)
    {
        if (numNodes <= 1)
            return [OwnAddress(agent.Host)];
        var controller = agent.ControllerUrl
            ?? throw new InvalidOperationException("a multi-node replica's agent needs --controller-url to learn its nodes' addresses");
        var url = MetadataUrls.Append(controller, AgentApi.Nodes);
        note($"waiting for the addresses of the replica's {numNodes} nodes (GET {url})");
        var backoff = new Backoff(FirstRetryDelay, MaxRetryDelay);
        string? lastWait = null;
        while (true)
        {
            var (ips, why) = await AskAsync(url, ct);
            if (ips is not null)
                return ips;
            if (why != lastWait)
            {
                logger.WaitingForNodes(numNodes, why!);
                lastWait = why;
            }
            await Task.Delay(backoff.Next(), time, ct);
        }
    }

    /// <summary>One question: every node's address, or why there are none yet.</summary>
    private async Task<(IReadOnlyList<string>? Ips, string? Why)> AskAsync(Uri url, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (agent.ControllerToken is { } token)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                return (null, $"the controller answered {(int)response.StatusCode} {response.ReasonPhrase}");
            var answer = await response.Content.ReadFromJsonAsync<AgentNodesAnswer>(ContractJson.Options, ct);
            return answer switch
            {
                null => (null, "the controller answered nothing"),
                { NumNodes: var n } when n != numNodes => (null, $"the controller counts {n} nodes, this agent was told {numNodes}"),
                { Ips: { } ips } when ips.Count == numNodes => (ips, null),
                _ => (null, "not every node has an address yet"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException)
        {
            return (null, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {RequestTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// This machine's address as other nodes reach it: the address it binds, unless that is every address (0.0.0.0);
    /// then its first IPv4 address that is up and not loopback; loopback when it has none.
    /// </summary>
    public static string OwnAddress(IPAddress host)
    {
        if (!host.Equals(IPAddress.Any) && !host.Equals(IPAddress.IPv6Any))
            return host.ToString();
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return (address ?? IPAddress.Loopback).ToString();
    }

    public void Dispose() => http.Dispose();
}

internal static partial class NodeDiscoveryLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "waiting for the addresses of the replica's {Nodes} nodes: {Why}")]
    public static partial void WaitingForNodes(this ILogger logger, int nodes, string why);
}
