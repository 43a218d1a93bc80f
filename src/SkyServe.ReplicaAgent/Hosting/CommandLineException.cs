namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>An unknown flag or a bad value on the command line (the agent exits 2).</summary>
public sealed class CommandLineException(string message) : Exception(message);
