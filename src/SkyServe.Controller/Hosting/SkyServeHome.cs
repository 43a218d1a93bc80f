namespace SkyServe.Controller.Hosting;

/// <summary>The per-user folder (like SkyPilot's ~/.sky): $SKYSERVE_HOME, else ~/.skyserve.</summary>
public static class SkyServeHome
{
    public static string Path => Environment.GetEnvironmentVariable("SKYSERVE_HOME") is { Length: > 0 } home
        ? home
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".skyserve");

    public static string DefaultDataDirectory => System.IO.Path.Combine(Path, "data");
}
