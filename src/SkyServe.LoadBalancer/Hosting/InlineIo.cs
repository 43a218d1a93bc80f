namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// Inline I/O: socket completions run on the epoll thread that saw them, and Kestrel runs requests there too, instead of
/// each hopping through the thread pool. Every handler here is asynchronous, so none blocks that thread; measured with
/// bench/lb.sh it cut the load balancer's p99 several-fold on a 2-core machine. On by default in the load balancer's
/// own process (set before any socket exists: .NET reads the variable once); <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c>
/// turns it off.
/// </summary>
public static class InlineIo
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless its environment says otherwise. Call first thing in Main.</summary>
    public static void EnableByDefault()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, "1");
    }

    /// <summary>Whether socket completions run inline in this process (Linux only: elsewhere .NET ignores the variable).</summary>
    public static bool Enabled => OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) == "1";
}
