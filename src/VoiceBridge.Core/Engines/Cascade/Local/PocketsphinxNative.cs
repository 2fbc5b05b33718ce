using System.Runtime.InteropServices;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// The few calls of libpocketsphinx 5prealpha (Debian <c>libpocketsphinx3</c>) and libsphinxbase the
/// recogniser needs. Signatures follow <c>pocketsphinx.h</c> and <c>cmd_ln.h</c> of that version.
/// </summary>
internal static class PocketsphinxNative
{
    public const string Library = "libpocketsphinx.so.3";
    public const string BaseLibrary = "libsphinxbase.so.3";

    [DllImport(BaseLibrary)]
    public static extern IntPtr cmd_ln_parse_r(IntPtr inout, IntPtr definitions, int argc, IntPtr[] argv, int strict);

    [DllImport(BaseLibrary)]
    public static extern int cmd_ln_free_r(IntPtr config);

    /// <summary>Sends the library's log to <paramref name="file"/> (a <c>FILE*</c>); null silences it.</summary>
    [DllImport(BaseLibrary)]
    public static extern void err_set_logfp(IntPtr file);

    [DllImport(Library)]
    public static extern IntPtr ps_args();

    [DllImport(Library)]
    public static extern IntPtr ps_init(IntPtr config);

    [DllImport(Library)]
    public static extern int ps_free(IntPtr decoder);

    [DllImport(Library)]
    public static extern int ps_add_word(IntPtr decoder, string word, string phones, int update);

    [DllImport(Library)]
    public static extern int ps_set_jsgf_string(IntPtr decoder, string name, string jsgf);

    [DllImport(Library)]
    public static extern int ps_set_search(IntPtr decoder, string name);

    [DllImport(Library)]
    public static extern int ps_start_utt(IntPtr decoder);

    [DllImport(Library)]
    public static extern int ps_process_raw(IntPtr decoder, short[] data, nuint samples, int noSearch, int fullUtterance);

    [DllImport(Library)]
    public static extern int ps_end_utt(IntPtr decoder);

    [DllImport(Library)]
    public static extern IntPtr ps_get_hyp(IntPtr decoder, out int bestScore);

    [DllImport(Library)]
    public static extern IntPtr ps_seg_iter(IntPtr decoder);

    [DllImport(Library)]
    public static extern IntPtr ps_seg_next(IntPtr segment);

    [DllImport(Library)]
    public static extern IntPtr ps_seg_word(IntPtr segment);

    [DllImport(Library)]
    public static extern void ps_seg_frames(IntPtr segment, out int startFrame, out int endFrame);

    [DllImport(Library)]
    public static extern int ps_seg_prob(IntPtr segment, out int acousticScore, out int languageScore, out int languageBackoff);
}
