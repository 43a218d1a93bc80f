using System.Security.Cryptography;
using System.Text;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// Remembers that a setup command succeeded in a working directory, so that an agent restarted on the same
/// machine does not run it again. Keyed by the command's hash: a different setup runs anew.
/// </summary>
public sealed class SetupMarker(string path)
{
    public string FilePath { get; } = path;

    public bool IsDone(string setup) => File.Exists(FilePath) && File.ReadAllText(FilePath).Trim() == Hash(setup);

    public void MarkDone(string setup)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, Hash(setup) + "\n");
        File.Move(temp, FilePath, overwrite: true);
    }

    private static string Hash(string setup) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(setup)));
}
