using System.Security.Cryptography;
using System.Text;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The cloud name of Docker hosts (<c>docker</c>, in specs <c>infra: docker/REGION/ZONE</c>), and how containers are
/// named: <c>{deployment}-{20 hex digits of the client token's SHA-256}</c>, so that a retried launch finds its
/// container by name as well as by label, and two launches of one token can never both create one (Docker refuses a
/// second container of the same name).
/// </summary>
public static class DockerCloud
{
    public const string Name = Core.Spec.SupportedClouds.Docker;

    public static string ContainerName(string deployment, string clientToken) =>
        $"{deployment}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientToken)))[..20]}";
}
