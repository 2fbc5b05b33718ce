namespace VoiceBridge.Media;

/// <summary>A recording the user gave us cannot be used; the message names the file and the problem.</summary>
public sealed class AudioFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string PathName { get; } = path;

    public string Problem { get; } = problem;
}
