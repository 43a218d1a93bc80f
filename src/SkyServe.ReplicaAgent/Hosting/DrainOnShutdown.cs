using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// On SIGTERM or Ctrl+C the host begins its normal shutdown; this turns readiness to 503 at that very
/// moment, before Kestrel stops, and says so. Kestrel then lets in-flight requests finish within
/// HostOptions.ShutdownTimeout (the --drain-timeout-ms).
/// </summary>
public sealed class DrainOnShutdown(IHostApplicationLifetime lifetime, AgentState state, AgentOptions options, StatusLineWriter status)
    : IHostedService
{
    private CancellationTokenRegistration registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        registration = lifetime.ApplicationStopping.Register(() =>
        {
            state.BeginDrain();
            status.WriteLine($"draining: readiness answers 503; in-flight requests have up to {(long)options.DrainTimeout.TotalMilliseconds} ms to finish");
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        registration.Dispose();
        return Task.CompletedTask;
    }
}
