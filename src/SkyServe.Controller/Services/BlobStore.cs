using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Services;

/// <summary>
/// The archives uploaded with specs, kept by content in the <c>blobs</c> table so that every controller sharing the
/// database serves the same ones. Writing the same bytes twice is harmless: the digest is the key.
/// </summary>
public sealed class BlobStore(ControllerDb db, IOptions<ControllerOptions> options, TimeProvider time)
{
    public long MaxBytes => options.Value.Uploads.MaxBytes;

    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => db.Blobs.AnyAsync(b => b.Digest == digest, ct);

    /// <summary>The archive's bytes, or null when there is none by that digest.</summary>
    public Task<byte[]?> ReadAsync(string digest, CancellationToken ct) =>
        db.Blobs.AsNoTracking().Where(b => b.Digest == digest).Select(b => b.Content).SingleOrDefaultAsync(ct)!;

    /// <summary>
    /// Reads <paramref name="body"/> (at most <see cref="MaxBytes"/>), checks that it hashes to <paramref name="digest"/>,
    /// and stores it unless it is there already.
    /// </summary>
    /// <returns>True when this call stored it; false when it was there.</returns>
    /// <exception cref="BadHttpRequestException">413: larger than <see cref="MaxBytes"/>.</exception>
    /// <exception cref="InvalidRequestException">The body's digest is not <paramref name="digest"/>.</exception>
    public async Task<bool> PutAsync(string digest, Stream body, long? contentLength, CancellationToken ct)
    {
        BlobDigest.Require(digest);
        var max = MaxBytes;
        if (contentLength > max)
            throw TooLarge(contentLength.Value);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var buffer = new MemoryStream(contentLength is { } length ? (int)Math.Min(length, max) : 0);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
                throw TooLarge(null);
            hash.AppendData(chunk, 0, read);
            buffer.Write(chunk, 0, read);
        }
        var actual = BlobDigest.Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != digest)
            throw new InvalidRequestException($"the uploaded bytes hash to {actual}, not {digest}: the upload was changed or cut short; upload it again");
        if (await ExistsAsync(digest, ct))
            return false;
        db.Blobs.Add(new BlobRecord { Digest = digest, Size = buffer.Length, Content = buffer.ToArray(), CreatedAt = time.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await ExistsAsync(digest, ct))
                return false; // another controller (or request) stored the same bytes first
            throw;
        }
    }

    private BadHttpRequestException TooLarge(long? size) => new(
        $"an upload may be at most {MaxBytes} bytes (SkyServe:Uploads:MaxBytes){(size is { } s ? $"; this one is {s}" : "")}: " +
        "leave large files out with .skyignore, or put them in a bucket and mount that", StatusCodes.Status413PayloadTooLarge);
}
