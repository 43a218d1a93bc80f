using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// A spec's <c>service.tls</c> names files on the owner's machine: the CLI uploads them with the spec. Checked when the
/// spec is submitted, so that load balancers never receive a certificate they cannot serve.
/// </summary>
public static class TlsUploads
{
    /// <exception cref="InvalidRequestException">The files were not uploaded, or are not a certificate and its key.</exception>
    public static async Task CheckAsync(ControllerDb db, ServiceSpec spec, SpecUploads uploads, CancellationToken ct)
    {
        if (spec.Service.Tls is null)
        {
            if (uploads.Tls is not null)
                throw new InvalidRequestException("uploads.tls was sent but the spec has no service.tls");
            return;
        }
        if (uploads.Tls is not { } tls)
            throw new InvalidRequestException(
                "service.tls names a certificate and key on your machine: submit the spec with `skyserve up` or `skyserve update`, which upload them");
        var files = await db.Blobs.AsNoTracking().Where(b => b.Digest == tls.Certfile || b.Digest == tls.Keyfile)
            .ToDictionaryAsync(b => b.Digest, b => b.Content, ct);
        if (!files.TryGetValue(tls.Certfile, out var certificate) || !files.TryGetValue(tls.Keyfile, out var key))
            throw new InvalidRequestException("the service.tls files were not uploaded: upload them first (PUT /api/v1/blobs/{digest})");
        try
        {
            using var loaded = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(certificate), Encoding.UTF8.GetString(key));
        }
        catch (CryptographicException e)
        {
            throw new InvalidRequestException(
                $"service.tls: '{spec.Service.Tls.CertFile}' and '{spec.Service.Tls.KeyFile}' are not a PEM certificate and its private key ({e.Message})");
        }
    }
}
