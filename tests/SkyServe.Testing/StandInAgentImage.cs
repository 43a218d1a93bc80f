using System.Buffers.Binary;
using System.Formats.Tar;
using System.Text;

namespace SkyServe.Testing;

/// <summary>
/// A tiny image that stands in for the agent image in the Docker provider's tests, made with <c>docker import</c> of a root
/// filesystem holding only Debian's static busybox (package busybox-static) and a script: no registry, no debootstrap,
/// imported in about a second. The script reads the agent's flags and serves, on its <c>--host</c> and <c>--port</c>
/// with <c>busybox httpd</c>, <c>/health</c> and <c>/ready</c> (200), <c>/args</c> (its command line, a word a line) and
/// <c>/env</c> (its environment) and <c>/model</c> (the files of its <c>--model</c> folder); on SIGTERM it stops the server and exits 0, as the agent drains and exits.
/// Its <c>/lib</c> and <c>/lib64</c> point into <c>/usr</c>, as on Debian: a container that mounts the host's <c>/usr</c>
/// and names <c>dotnet SkyServe.ReplicaAgent.dll</c> as its entrypoint runs the real agent on the host's runtime.
/// </summary>
public static class StandInAgentImage
{
    public const string Reference = "skyserve-test-agent:latest";

    public const string Entrypoint = "/skyserve-agent";

    private const string Script = """
        #!/bin/sh
        # Stands in for the ReplicaAgent (SkyServe's Docker provider tests).
        www=/tmp/www
        busybox mkdir -p "$www"
        for arg in "$@"; do echo "$arg"; done > "$www/args"
        busybox env > "$www/env"
        host=127.0.0.1
        port=8080
        while [ $# -gt 0 ]; do
          case "$1" in
            --host) host="$2"; shift ;;
            --port) port="$2"; shift ;;
            --machine-id) echo "{\"status\":\"ok\",\"machine_id\":\"$2\"}" > "$www/health" ;;
            --model) busybox ls "$2" > "$www/model" 2>&1 ;;
          esac
          shift
        done
        echo ready > "$www/ready"
        busybox httpd -f -p "$host:$port" -h "$www" &
        pid=$!
        trap 'kill -TERM $pid; wait $pid; exit 0' TERM INT
        wait $pid
        """;

    /// <summary>Debian's static busybox, or why there is none to use.</summary>
    public static string FindBusybox()
    {
        foreach (var path in new[] { "/bin/busybox", "/usr/bin/busybox" })
        {
            if (!System.IO.File.Exists(path))
                continue;
            if (IsStatic(path))
                return path;
            throw new InvalidOperationException(
                $"{path} is linked dynamically: it cannot run alone in an empty image. Install Debian's busybox-static (tests/run.sh does)");
        }
        throw new InvalidOperationException("busybox not found: install Debian's busybox-static (tests/run.sh does)");
    }

    /// <summary>The image's root filesystem as a tarball: /bin/busybox, /bin/sh, /lib and /lib64 (into /usr), /tmp and the stand-in script.</summary>
    public static MemoryStream RootFilesystem(string busybox)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            AddDirectory(writer, "bin/", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            AddDirectory(writer, "tmp/", (UnixFileMode)Convert.ToInt32("1777", 8));
            AddFile(writer, "bin/busybox", System.IO.File.ReadAllBytes(busybox));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/sh") { LinkName = "busybox", Mode = Executable });
            // Debian's merged /usr: with the host's /usr mounted, its programs (dotnet, and so the real agent) run here too.
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib", Mode = Executable });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib64") { LinkName = "usr/lib64", Mode = Executable });
            AddFile(writer, Entrypoint.TrimStart('/'), Encoding.UTF8.GetBytes(Script.ReplaceLineEndings("\n") + "\n"));
        }
        tar.Position = 0;
        return tar;
    }

    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static void AddDirectory(TarWriter writer, string name, UnixFileMode mode) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode });

    private static void AddFile(TarWriter writer, string name, byte[] content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = Executable, DataStream = new MemoryStream(content) });

    /// <summary>An ELF executable without a PT_INTERP program header needs no dynamic loader.</summary>
    private static bool IsStatic(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F' || bytes[4] != 2)
            return false; // not a 64-bit ELF file
        var header = bytes.AsSpan();
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
        for (var i = 0; i < count; i++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[(programHeaders + i * entrySize)..]) == 3) // PT_INTERP
                return false;
        return true;
    }
}
