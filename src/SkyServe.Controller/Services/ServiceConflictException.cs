namespace SkyServe.Controller.Services;

/// <summary>The request clashes with the current state: a taken name, a service shutting down, a concurrent write.</summary>
public sealed class ServiceConflictException(string message) : Exception(message);
