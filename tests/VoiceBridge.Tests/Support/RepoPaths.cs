using System.Reflection;

namespace VoiceBridge.Tests.Support;

/// <summary>Paths inside the repository (its root is stamped into the test assembly at build time).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string Fixture(string name) => Path.Combine(Root, "media-fixtures", name);
}
