namespace SkyServe.Cli.Sim;

/// <summary>A bad `skyserve sim` argument: reported as one line, exit code 2.</summary>
public sealed class SimUsageException(string message) : Exception(message);
