namespace SkyServe.Cli;

/// <summary>A failure to report to the user as one message and a non-zero exit code, without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
