namespace VoiceBridge.Replay;

/// <summary>Expands replay arguments (files and folders) into recordings and finds their sidecar manifests.</summary>
public static class ReplayInputs
{
    /// <summary>
    /// Files as given; folders become their recordings (<c>*.wav</c>, <c>*.mp3</c>, <c>*.opus</c>, <c>*.ogg</c>, <c>*.webm</c>, <c>*.flac</c>, <c>*.aif</c>, <c>*.aiff</c>, <c>*.aifc</c>, <c>*.au</c> and <c>*.gsm</c>, or the raw mu-law
    /// names), sorted. A missing path is kept so it is reported as bad input. A file reached twice (named
    /// again, or also through its folder) is replayed once, where it first came.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, bool rawMuLaw)
    {
        var patterns = rawMuLaw ? new[] { "*.ulaw", "*.mulaw", "*.raw" } : ["*.wav", "*.mp3", "*.opus", "*.ogg", "*.webm", "*.flac", "*.aif", "*.aiff", "*.aifc", "*.au", "*.gsm"];
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            IEnumerable<string> found = Directory.Exists(input)
                ? patterns.SelectMany(p => Directory.EnumerateFiles(input, p)).Order(StringComparer.Ordinal)
                : [input];
            files.AddRange(found.Where(file => seen.Add(FullPath(file))));
        }

        return files;
    }

    /// <summary>The path made absolute to compare, or as given when it is no path at all (reported as bad input later).</summary>
    private static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    /// <summary>The utterances listed in NAME.txt beside NAME.wav or NAME.mp3 (one a line), or null when there is none.</summary>
    public static IReadOnlyList<string>? Sidecar(string recordingPath)
    {
        var sidecar = Path.ChangeExtension(recordingPath, ".txt");
        if (!File.Exists(sidecar))
        {
            return null;
        }

        return [.. File.ReadAllLines(sidecar).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
