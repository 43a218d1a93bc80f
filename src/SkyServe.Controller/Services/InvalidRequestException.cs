namespace SkyServe.Controller.Services;

/// <summary>A request that is malformed apart from its spec (a bad name, an unknown mode, an empty body).</summary>
public sealed class InvalidRequestException(string message) : Exception(message);
