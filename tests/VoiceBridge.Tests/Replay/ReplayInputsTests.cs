using VoiceBridge.Replay;
using VoiceBridge.Tests.Media;

namespace VoiceBridge.Tests.Replay;

/// <summary>What a folder given to replay becomes, and the names each recording's outputs are written under.</summary>
public sealed class ReplayInputsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_folder_gives_its_recordings_in_any_case_and_the_refused_formats_to_report_and_says_what_it_leaves_out()
    {
        foreach (var name in new[] { "UPPER.WAV", "loud.MP3", "firefox.oga", "rec.mka", "iphone.m4a", "notes.txt", "._UPPER.WAV", "phone.ulaw" })
        {
            File.WriteAllBytes(_dir.File(name), [1]);
        }

        Directory.CreateDirectory(_dir.File("day 1"));
        var notes = new List<string>();

        var files = ReplayInputs.Expand([_dir.Path], rawMuLaw: false, notes.Add).Select(Path.GetFileName);

        Assert.Equal(["UPPER.WAV", "firefox.oga", "iphone.m4a", "loud.MP3", "rec.mka"], files);
        Assert.Collection(
            notes,
            n => Assert.EndsWith("day 1 is a folder inside " + _dir.Path + ": not searched (name it to replay what it holds)", n),
            n => Assert.EndsWith("phone.ulaw is raw mu-law: not replayed without --raw-mulaw", n));
    }

    [Fact]
    public void Recordings_sharing_a_name_get_outputs_of_their_own()
    {
        string[] files = ["/a/call.ogg", "/a/call.webm", "/b/call.ogg", "/x/day1.wav", "/y/day1.wav", "/z/solo.wav"];

        var stems = ReplayInputs.OutputStems(files);

        Assert.Equal(["call.ogg", "call.webm", "call.ogg.2", "day1", "day1.2", "solo"], files.Select(f => stems[f]));
    }
}
