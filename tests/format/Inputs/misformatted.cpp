// A file vgen's style check must refuse.
int  badly (int x){return x;}
