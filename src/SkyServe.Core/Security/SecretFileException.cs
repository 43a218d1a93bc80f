namespace SkyServe.Core.Security;

/// <summary>A file named to hold a password or token cannot be read, or is empty.</summary>
public sealed class SecretFileException(string message, Exception? inner = null) : Exception(message, inner);
