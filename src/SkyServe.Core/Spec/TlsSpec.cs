namespace SkyServe.Core.Spec;

/// <summary>TLS for the service endpoint (<c>service.tls</c>); both files are required, as in SkyPilot.</summary>
public sealed record TlsSpec(string KeyFile, string CertFile);
