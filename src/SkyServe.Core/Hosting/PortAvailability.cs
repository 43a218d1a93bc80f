using System.Net;
using System.Net.Sockets;

namespace SkyServe.Core.Hosting;

/// <summary>
/// Checks that a host's listen address is free before the host starts, so that a taken port is reported as one
/// clear line; a failed start would log the web server's stack trace first.
/// </summary>
public static class PortAvailability
{
    /// <summary>
    /// Starts a host that listens on <paramref name="urls"/>: null once it listens, else why it cannot, as one line
    /// (checked first; a port taken between the check and the start is caught from the server's own error).
    /// </summary>
    public static async Task<string?> StartAsync(IReadOnlyList<string> urls, Func<Task> start)
    {
        if (urls.Select(Problem).FirstOrDefault(problem => problem is not null) is { } taken)
            return taken;
        try
        {
            await start();
            return null;
        }
        catch (IOException e)
        {
            return $"cannot listen on {string.Join(", ", urls.Select(Endpoint))}: {e.Message}";
        }
    }

    private static string Endpoint(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Host}:{uri.Port}" : url;

    /// <summary>Why <paramref name="url"/> cannot be listened on, or null when it can (or cannot be checked: port 0, a host name).</summary>
    public static string? Problem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0)
            return null;
        var address = uri.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "+" or "*" or "0.0.0.0" => IPAddress.Any,
            var host => IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null,
        };
        if (address is null)
            return null;
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, uri.Port));
            return null;
        }
        catch (SocketException e)
        {
            return $"cannot listen on {uri.Host}:{uri.Port}: {e.Message}";
        }
    }
}
