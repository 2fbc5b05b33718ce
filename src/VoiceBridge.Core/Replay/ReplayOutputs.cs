namespace VoiceBridge.Replay;

/// <summary>
/// What a replay writes, checked before any call runs: the stereo recordings in <c>--out-dir</c>
/// and the report (its HTML page goes beside it). A run that found out at the end would have
/// replayed every call for nothing.
/// </summary>
public static class ReplayOutputs
{
    /// <summary>Creates the folders; null when both can be written, else one line naming the path and why not.</summary>
    public static string? Problem(ReplayRunOptions options) =>
        Folder(options.OutDir) is { } outDir ? $"replay: cannot write recordings to --out-dir {options.OutDir}: {outDir}"
        : Report(options.EffectiveReportPath) is { } report ? $"replay: cannot write the report to {options.EffectiveReportPath}: {report}"
        : null;

    private static string? Report(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                return "it is a folder (give a file name, e.g. report.json in it)";
            }

            if (Folder(Path.GetDirectoryName(full)!) is { } folder)
            {
                return folder;
            }

            if (File.Exists(full))
            {
                using var existing = new FileStream(full, FileMode.Open, FileAccess.Write);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }

    private static string? Folder(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            using var probe = new FileStream(Path.Combine(path, $".voicebridge-write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }
}
