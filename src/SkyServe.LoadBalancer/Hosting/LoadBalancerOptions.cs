namespace SkyServe.LoadBalancer.Hosting;

/// <summary>The load balancer's settings; every timeout and limit is configuration, not a constant.</summary>
public sealed record LoadBalancerOptions
{
    /// <summary>Shared listen address: services are told apart by host name (NAME.domain) or path prefix (/NAME/...).</summary>
    public string Listen { get; init; } = "http://127.0.0.1:30581";
    public string? ControllerUrl { get; init; }
    /// <summary>Sent to the controller; also required (as a bearer token) by this load balancer's /-/ pages but /-/health.</summary>
    public string? ControllerToken { get; init; }
    /// <summary>Bench mode: no controller; every request goes to one service "static" over these backends.</summary>
    public IReadOnlyList<string> StaticBackends { get; init; } = [];
    public string StaticPolicy { get; init; } = "least_load";
    /// <summary>Host-name routing: chat.localhost → service "chat" (*.localhost resolves to loopback).</summary>
    public string Domain { get; init; } = "localhost";
    public bool PathPrefixRouting { get; init; } = true;
    /// <summary>The endpoint reported for a service; {service}, {domain} and {port} are filled in.</summary>
    public string EndpointTemplate { get; init; } = "http://{service}.{domain}:{port}";
    /// <summary>A name for this instance in the controller's stats (several may run side by side).</summary>
    public string Id { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Attempts per request on different replicas (the first plus retries).</summary>
    public int MaxAttempts { get; init; } = 3;
    /// <summary>
    /// Continue a completion whose replica is lost mid-answer on another replica, token for token (SkyServe.LoadBalancer.Resumption);
    /// off, such a stream ends with an error event, as SkyPilot's load balancer does.
    /// </summary>
    public bool Resume { get; init; } = true;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How long a replica may stay silent (no headers, no body bytes) before the attempt fails.</summary>
    public TimeSpan ActivityTimeout { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>Request bodies up to this size are buffered so that a failed attempt can be replayed.</summary>
    public long ReplayableBodyLimit { get; init; } = 1 << 20;
    /// <summary>A replica that failed an attempt is skipped this long (passive health).</summary>
    public TimeSpan FailedReplicaCooldown { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a request to a scaled-to-zero service waits for a replica, and how many may wait.</summary>
    public TimeSpan ScaleToZeroWait { get; init; } = TimeSpan.FromSeconds(120);
    public int ScaleToZeroQueueLimit { get; init; } = 256;
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(2);
    public long MaxRequestBodySize { get; init; } = 64L << 20;
    public int MaxRequestHeadersTotalSize { get; init; } = 32 * 1024;
    /// <summary>TLS termination: PEM certificate and key for the listen address.</summary>
    /// <summary>
    /// Also listen on each service's own endpoint port (from the controller's routes), serving only that service, with
    /// HTTPS where its spec has <c>service.tls</c>: SkyPilot's <c>http://HOST:PORT</c> per service.
    /// </summary>
    public bool ServicePorts { get; init; }
    public string? TlsCertFile { get; init; }
    public string? TlsKeyFile { get; init; }
    /// <summary>Per-service API keys: requests must carry "Authorization: Bearer KEY" (or x-api-key).</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();
}
