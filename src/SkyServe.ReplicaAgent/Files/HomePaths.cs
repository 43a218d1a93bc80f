namespace SkyServe.ReplicaAgent.Files;

/// <summary>Where a spec's paths land on the machine: <c>~</c> is the machine's home (the agent's --home, else the user's).</summary>
public static class HomePaths
{
    /// <summary>SkyPilot's <c>~/sky_workdir</c>: the workdir's contents, where setup and run execute.</summary>
    public const string WorkdirName = "sky_workdir";

    public static string Home(string? configured) =>
        Path.GetFullPath(configured ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>A target as written (<c>~/data</c>, <c>/mnt/data</c>) on this machine; a relative one is under the home, as SkyPilot's are.</summary>
    public static string Resolve(string target, string home)
    {
        if (target == "~")
            return home;
        if (target.StartsWith("~/", StringComparison.Ordinal))
            return Path.GetFullPath(Path.Combine(home, target[2..]));
        return Path.IsPathRooted(target) ? Path.GetFullPath(target) : Path.GetFullPath(Path.Combine(home, target));
    }
}
