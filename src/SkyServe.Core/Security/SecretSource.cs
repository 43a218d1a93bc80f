namespace SkyServe.Core.Security;

/// <summary>
/// A password or token from a flag, a file or an environment variable. A flag's value shows in `ps` to every user of
/// the machine, so the help text of every such flag recommends the file or the variable instead.
/// </summary>
public static class SecretSource
{
    /// <summary>The flag's value, else the file's content (trimmed), else the variable's value; null when none is given.</summary>
    /// <exception cref="SecretFileException">The file is missing or empty.</exception>
    public static string? Resolve(string? value, string? file, string? environmentVariable = null)
    {
        if (!string.IsNullOrWhiteSpace(value))
            return value;
        if (!string.IsNullOrWhiteSpace(file))
            return ReadFile(file);
        return environmentVariable is not null && Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment.Trim()
            : null;
    }

    /// <summary>The file's content without surrounding whitespace (the trailing newline an editor adds).</summary>
    public static string ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretFileException($"cannot read the secret file {path}: {e.Message}", e);
        }
        return text.Length > 0 ? text : throw new SecretFileException($"the secret file {path} is empty");
    }
}
