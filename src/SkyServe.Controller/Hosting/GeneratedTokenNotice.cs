namespace SkyServe.Controller.Hosting;

/// <summary>
/// What a start prints about an API token it generated: the token itself only to a terminal. Output that is redirected
/// usually ends in a log file or a service manager's journal, which must not hold it; there, only where the file is.
/// </summary>
public static class GeneratedTokenNotice
{
    public static string? For(ControllerOptions options)
    {
        if (!options.ApiTokenWasGenerated)
            return null;
        var file = Path.Combine(options.DataDirectory, ApiTokenStore.FileName);
        return Console.IsOutputRedirected
            ? $"API token generated; it is in {file} (readable by you only)"
            : $"API token (shown once; kept in {file}): {options.ApiToken}";
    }
}
