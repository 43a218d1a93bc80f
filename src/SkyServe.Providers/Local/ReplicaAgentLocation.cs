namespace SkyServe.Providers.Local;

/// <summary>
/// Where the ReplicaAgent to launch is at run time. Nothing here compiles against the agent: the controller's build
/// puts the agent's own publish in agent/ beside the program (build/ReplicaAgentBundle.targets), and a project that
/// references the agent directly (some tests) has it beside itself.
/// </summary>
public static class ReplicaAgentLocation
{
    public const string DllName = "SkyServe.ReplicaAgent.dll";

    /// <summary>The folder, beside the program, that holds the agent's publish.</summary>
    public const string Folder = "agent";

    /// <summary>
    /// agent/SkyServe.ReplicaAgent.dll under <paramref name="baseDirectory"/> (the running program's folder by
    /// default), else SkyServe.ReplicaAgent.dll beside it; where neither exists, the first (for the error message).
    /// </summary>
    public static string Dll(string? baseDirectory = null)
    {
        baseDirectory ??= AppContext.BaseDirectory;
        var bundled = Path.Combine(baseDirectory, Folder, DllName);
        if (File.Exists(bundled))
            return bundled;
        var beside = Path.Combine(baseDirectory, DllName);
        return File.Exists(beside) ? beside : bundled;
    }
}
