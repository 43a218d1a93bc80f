namespace SkyServe.Cli;

internal static class SpecFile
{
    public static string Read(FileInfo file) => file.Exists
        ? File.ReadAllText(file.FullName)
        : throw new CliException($"no such file: {file.FullName}");
}
