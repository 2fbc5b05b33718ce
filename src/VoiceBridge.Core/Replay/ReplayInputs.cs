namespace VoiceBridge.Replay;

/// <summary>Expands replay arguments (files and folders) into recordings and finds their sidecar manifests.</summary>
public static class ReplayInputs
{
    /// <summary>What the loaders decode, by extension (any case).</summary>
    private static readonly string[] Decoded =
        [".wav", ".mp3", ".opus", ".ogg", ".oga", ".webm", ".weba", ".mka", ".flac", ".aif", ".aiff", ".aifc", ".au", ".snd", ".gsm"];

    /// <summary>Audio people have that the loaders refuse by name, with the command that converts it: replayed so the refusal is reported, not skipped.</summary>
    private static readonly string[] Refused = [".m4a", ".mp4", ".aac", ".amr", ".3gp", ".caf", ".wma", ".w64"];

    private static readonly string[] RawMuLaw = [".ulaw", ".mulaw", ".raw"];

    /// <summary>
    /// Files as given; folders become their recordings (the extensions of <see cref="Decoded"/> and
    /// <see cref="Refused"/> in any case, or the raw mu-law names), sorted. macOS's <c>._</c> metadata
    /// files are left out, and <paramref name="note"/> hears of what else a folder held that is not
    /// replayed: folders inside it (not searched) and raw mu-law files without <c>--raw-mulaw</c>. A
    /// missing path is kept so it is reported as bad input. A file reached twice (named again, or also
    /// through its folder) is replayed once, where it first came.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, bool rawMuLaw, Action<string>? note = null)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            IEnumerable<string> found = Directory.Exists(input) ? InFolder(input, rawMuLaw, note) : [input];
            files.AddRange(found.Where(file => seen.Add(FullPath(file))));
        }

        return files;
    }

    /// <summary>
    /// A name to write each file's outputs under (<c>NAME.call.wav</c>): its name without the
    /// extension; with the extension where another file has the same name in another format; and
    /// numbered from 2 in order where files in different folders share the whole name.
    /// </summary>
    public static IReadOnlyDictionary<string, string> OutputStems(IReadOnlyList<string> files)
    {
        var byStem = files.ToLookup(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase);
        var stems = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            var formats = byStem[Path.GetFileNameWithoutExtension(file)].Select(Path.GetExtension).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            var stem = formats > 1 ? Path.GetFileName(file) : Path.GetFileNameWithoutExtension(file);
            var unique = stem;
            for (var n = 2; !taken.Add(unique); n++)
            {
                unique = $"{stem}.{n}";
            }

            stems[file] = unique;
        }

        return stems;
    }

    private static IEnumerable<string> InFolder(string folder, bool rawMuLaw, Action<string>? note)
    {
        var taken = rawMuLaw ? RawMuLaw : [.. Decoded, .. Refused];
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(entry).ToLowerInvariant();
            if (Directory.Exists(entry))
            {
                note?.Invoke($"replay: {entry} is a folder inside {folder}: not searched (name it to replay what it holds)");
            }
            else if (Path.GetFileName(entry).StartsWith("._", StringComparison.Ordinal))
            {
                continue;
            }
            else if (taken.Contains(extension))
            {
                yield return entry;
            }
            else if (!rawMuLaw && RawMuLaw.Contains(extension))
            {
                note?.Invoke($"replay: {entry} is raw mu-law: not replayed without --raw-mulaw");
            }
        }
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
