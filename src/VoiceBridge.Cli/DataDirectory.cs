using System.CommandLine;

namespace VoiceBridge.Cli;

/// <summary>The <c>--data-dir</c> option shared by the verbs: where the audit log (<c>audit.db</c>) lives.</summary>
internal static class DataDirectory
{
    public static Option<string> CreateOption() => new("--data-dir")
    {
        Description = "Where the node keeps its data (audit.db) [VOICEBRIDGE_DATA, else ./voicebridge-data]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VOICEBRIDGE_DATA") is { Length: > 0 } dir ? dir : "voicebridge-data",
    };
}
