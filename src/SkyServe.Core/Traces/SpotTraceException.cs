namespace SkyServe.Core.Traces;

/// <summary>A spot trace file or folder that cannot be read. The message starts with the file (or folder) it is about.</summary>
public sealed class SpotTraceException : Exception
{
    public SpotTraceException(string source, string detail)
        : base($"{source}: {detail}")
    {
        Source = source;
        Detail = detail;
    }

    /// <summary>The file name (or folder path) the problem is in.</summary>
    public new string Source { get; }

    public string Detail { get; }
}
