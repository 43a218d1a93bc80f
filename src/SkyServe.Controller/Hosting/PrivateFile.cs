namespace SkyServe.Controller.Hosting;

/// <summary>Writes secrets (API tokens) readable by their owner only.</summary>
public static class PrivateFile
{
    public static void WriteAllText(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, text);
            return;
        }
        File.Delete(path); // UnixCreateMode applies only when the file is created
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(file);
        writer.Write(text);
    }
}
